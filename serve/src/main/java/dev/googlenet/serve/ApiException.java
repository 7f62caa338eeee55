package dev.googlenet.serve;

/**
 * A request the server answers with an error status and a JSON body {@code {"error": message}}; thrown by a
 * handler, turned into the response in one place ({@link InferenceServer}).
 */
final class ApiException extends RuntimeException {
    private final int status;
    private final int retryAfterSeconds;

    ApiException(int status, String message) {
        this(status, message, 0);
    }

    /** With {@code retryAfterSeconds > 0} the response carries a Retry-After header (503). */
    ApiException(int status, String message, int retryAfterSeconds) {
        super(message, null, false, false); // an expected answer, not a bug: no stack trace
        this.status = status;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    int status() {
        return status;
    }

    int retryAfterSeconds() {
        return retryAfterSeconds;
    }

    static ApiException badRequest(String message) {
        return new ApiException(400, message);
    }

    static ApiException notFound(String message) {
        return new ApiException(404, message);
    }
}

package dev.googlenet.serve;

import dev.googlenet.infer.LoadedModel;
import dev.googlenet.infer.Models;
import dev.googlenet.testing.SharedData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The web page in a real headless Chromium (Debian's chromium and chromium-driver, driven by Selenium): choose a
 * photo, see the top 5 with bars, the time taken and the Grad-CAM overlay, toggle it, switch models. A screenshot
 * is left in target/. Skipped where Chromium is not installed, except in CI, where .ci/run installs it.
 */
class WebPageTest {
    private static final Path CHROMIUM = Path.of("/usr/lib/chromium/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Path SCREENSHOT = Path.of("target", "web-page.png");
    private static final Duration WAIT = Duration.ofSeconds(90);

    private static LoadedModel real;
    private static InferenceServer server;
    private static WebDriver driver;
    private static Path profile;

    @BeforeAll
    static void start() throws Exception {
        boolean installed = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (!installed && "true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError("chromium and chromium-driver are required in CI (.ci/run installs them)");
        }
        Assumptions.assumeTrue(installed, "chromium / chromium-driver not installed: apt-get install chromium "
                + "chromium-driver");
        real = Models.load(SharedData.file("reference/tv_eval.onnx"));
        Map<String, LoadedModel> models = new LinkedHashMap<>();
        models.put("tv_eval", real);
        models.put("tiny", Fixtures.smallModel(7));
        server = InferenceServer.start(models, Fixtures.config(2, Duration.ofMillis(2), 16, Duration.ofSeconds(60),
                ServeConfig.DEFAULT_MAX_REQUEST_BYTES));
        profile = Files.createTempDirectory("googlenet-chromium-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--window-size=1000,760");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
    }

    @AfterAll
    static void stop() throws Exception {
        if (driver != null) {
            driver.quit();
        }
        if (server != null) {
            server.close();
        }
        if (profile != null) {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
    }

    @Test
    void choosingAPhotoShowsTheTopFiveTheTimeAndTheGradCamOverlay() throws Exception {
        driver.get(server.uri().toString());
        WebDriverWait wait = new WebDriverWait(driver, WAIT);
        wait.until(d -> d.findElements(By.cssSelector("#model option")).size() == 2);
        Select model = new Select(driver.findElement(By.id("model")));
        assertEquals("tv_eval", model.getFirstSelectedOption().getAttribute("value"));

        Path photo = SharedData.file("images/chelsea.png").toAbsolutePath();
        driver.findElement(By.id("file")).sendKeys(photo.toString());
        wait.until(d -> d.findElements(By.cssSelector("#top .row")).size() == 5
                && d.findElement(By.id("overlay")).isDisplayed());

        List<String> expected = real.classify(photo, 5).stream().map(p -> p.label()).toList();
        List<WebElement> rows = driver.findElements(By.cssSelector("#top .row"));
        for (int i = 0; i < 5; i++) {
            assertEquals(expected.get(i), rows.get(i).findElement(By.className("class-name")).getText());
        }
        String width = rows.getFirst().findElement(By.className("bar")).getAttribute("style");
        assertTrue(width.matches(".*width: [0-9.]+%.*"), width);
        assertTrue(driver.findElement(By.id("time")).getText().matches("Took \\d+ ms \\(with Grad-CAM\\)\\."),
                driver.findElement(By.id("time")).getText());
        assertTrue(driver.findElement(By.id("overlay")).getAttribute("src").startsWith("data:image/png;base64,"));
        Files.createDirectories(SCREENSHOT.getParent());
        Files.write(SCREENSHOT, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));

        driver.findElement(By.id("overlay-toggle")).click();
        assertFalse(driver.findElement(By.id("overlay")).isDisplayed(), "overlay still shown when toggled off");
        driver.findElement(By.id("overlay-toggle")).click();
        assertTrue(driver.findElement(By.id("overlay")).isDisplayed());

        model.selectByValue("tiny");
        driver.findElement(By.id("file")).sendKeys(SharedData.file("images/coffee.png").toAbsolutePath().toString());
        wait.until(d -> d.findElement(By.id("status")).getText().equals("coffee.png")
                && d.findElements(By.cssSelector("#top .row")).size() == 5);
        assertTrue(driver.findElement(By.cssSelector("#top .row .class-name")).getText().startsWith("class "),
                "the 10-class model's names");
    }

    @Test
    void anUnreadableFileShowsTheServersError() throws Exception {
        driver.get(server.uri().toString());
        WebDriverWait wait = new WebDriverWait(driver, WAIT);
        wait.until(d -> d.findElements(By.cssSelector("#model option")).size() == 2);
        Path truncated = SharedData.file("images/truncated.jpg").toAbsolutePath();
        driver.findElement(By.id("file")).sendKeys(truncated.toString());
        wait.until(d -> d.findElement(By.id("status")).getText().startsWith("Error 400"));
        assertTrue(driver.findElement(By.id("status")).getAttribute("class").contains("error"));
    }
}

package dev.googlenet.serve;

import java.util.ArrayDeque;
import java.util.List;

/**
 * Arrays for preprocessed images, handed back once their batch has copied them: a busy server then keeps a few
 * dozen arrays in the old generation instead of allocating one per request (602 KB for 224×224) that the young
 * collections would copy for as long as the request waits. Bounded: at most {@code capacity} arrays wait here;
 * beyond that a returned array is left to the collector. Last in, first out: the array handed back last is the
 * one most likely still in a cache.
 */
final class ImagePool {
    private final int imageSize;
    private final int capacity;
    private final ArrayDeque<float[]> free = new ArrayDeque<>(); // guarded by this

    ImagePool(int imageSize, int capacity) {
        this.imageSize = imageSize;
        this.capacity = capacity;
    }

    /** An array of one image's values, with whatever an earlier request left in it: the caller overwrites all. */
    synchronized float[] take() {
        float[] a = free.pollFirst();
        return a != null ? a : new float[imageSize];
    }

    /** Arrays no one reads any more (their batch has run); those of another size are not kept. */
    synchronized void give(List<float[]> images) {
        for (float[] a : images) {
            if (a.length == imageSize && free.size() < capacity) {
                free.addFirst(a);
            }
        }
    }

    /** Arrays waiting to be taken. */
    synchronized int available() {
        return free.size();
    }
}

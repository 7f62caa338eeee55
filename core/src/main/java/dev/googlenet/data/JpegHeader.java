package dev.googlenet.data;

import javax.imageio.plugins.jpeg.JPEGHuffmanTable;
import java.io.ByteArrayOutputStream;

/**
 * Edits to a JPEG's header before it is decoded, so that the JDK's decoder gives what libjpeg-turbo gives Pillow.
 * Only the segments before the first scan are touched; a header that cannot be parsed is left as it is, for the
 * decoder to report.
 */
final class JpegHeader {
    private JpegHeader() {
    }

    /**
     * The JPEG with (1) its embedded ICC profile removed (APP2 {@code ICC_PROFILE} segments): Pillow decodes
     * without colour management, while the JDK's reader would convert the profile's colours to sRGB; and (2) the
     * standard Huffman tables of the JPEG specification (Annex K.3) added when a Huffman-coded JPEG defines none
     * before its first scan (Motion-JPEG frames leave them out; libjpeg-turbo then uses these, the JDK refuses).
     */
    static byte[] prepare(byte[] d) {
        if (d.length < 4 || (d[0] & 0xFF) != 0xFF || (d[1] & 0xFF) != 0xD8) {
            return d;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(d.length + 512);
        out.write(d, 0, 2);
        boolean changed = false;
        boolean huffmanTables = false;
        boolean huffmanCoded = false;
        int p = 2;
        while (true) {
            if (p + 2 > d.length || (d[p] & 0xFF) != 0xFF) {
                break; // not a marker where one should be: leave the rest to the decoder
            }
            int marker = d[p + 1] & 0xFF;
            if (marker == 0xFF) {
                out.write(0xFF); // fill byte
                p++;
                continue;
            }
            if (marker == 0xDA) {
                if (huffmanCoded && !huffmanTables) {
                    writeStandardHuffmanTables(out);
                    changed = true;
                }
                break;
            }
            if (marker == 0xD9) {
                break;
            }
            if (marker == 0x01 || marker >= 0xD0 && marker <= 0xD7) {
                out.write(d, p, 2); // markers without a length
                p += 2;
                continue;
            }
            if (p + 4 > d.length) {
                break;
            }
            int length = ((d[p + 2] & 0xFF) << 8) | (d[p + 3] & 0xFF);
            if (length < 2 || p + 2 + length > d.length) {
                break;
            }
            if (marker == 0xC4) {
                huffmanTables = true;
            }
            if (marker >= 0xC0 && marker <= 0xC7 && marker != 0xC4) {
                huffmanCoded = true; // SOF0–SOF7 (SOF9 and up are arithmetic-coded)
            }
            if (marker == 0xE2 && startsWith(d, p + 4, "ICC_PROFILE\0")) {
                changed = true; // drop the segment
            } else {
                out.write(d, p, 2 + length);
            }
            p += 2 + length;
        }
        if (!changed) {
            return d;
        }
        out.write(d, p, d.length - p);
        return out.toByteArray();
    }

    private static void writeStandardHuffmanTables(ByteArrayOutputStream out) {
        JPEGHuffmanTable[] tables = {JPEGHuffmanTable.StdDCLuminance, JPEGHuffmanTable.StdDCChrominance,
                JPEGHuffmanTable.StdACLuminance, JPEGHuffmanTable.StdACChrominance};
        int[] classAndId = {0x00, 0x01, 0x10, 0x11};
        int length = 2;
        for (JPEGHuffmanTable t : tables) {
            length += 1 + 16 + t.getValues().length;
        }
        out.write(0xFF);
        out.write(0xC4);
        out.write(length >> 8);
        out.write(length & 0xFF);
        for (int i = 0; i < tables.length; i++) {
            out.write(classAndId[i]);
            for (short n : tables[i].getLengths()) {
                out.write(n);
            }
            for (short v : tables[i].getValues()) {
                out.write(v);
            }
        }
    }

    private static boolean startsWith(byte[] d, int at, String ascii) {
        if (at + ascii.length() > d.length) {
            return false;
        }
        for (int i = 0; i < ascii.length(); i++) {
            if (d[at + i] != (byte) ascii.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}

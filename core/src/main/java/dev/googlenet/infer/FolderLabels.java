package dev.googlenet.infer;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which of a model's classes each sub-folder of a labelled image folder holds. Folders are named by class index
 * ({@code 0} … {@code 999}), by ImageNet synset id (all 1000, their sorted order being ImageNet's class order), or
 * by class name, matched against the model's class names (exactly, else ignoring case).
 */
public final class FolderLabels {
    private FolderLabels() {
    }

    /**
     * The model's class index for each folder name; an {@link IllegalArgumentException} with one line naming the
     * folders that match no class, or a class name the model has twice (a clash: which one would it be?).
     */
    public static int[] map(List<String> folders, List<String> modelClasses) {
        int[] out = new int[folders.size()];
        if (folders.stream().allMatch(f -> f.matches("\\d{1,4}"))) {
            for (int i = 0; i < out.length; i++) {
                out[i] = Integer.parseInt(folders.get(i));
                if (out[i] >= modelClasses.size()) {
                    throw new IllegalArgumentException("class folder '" + folders.get(i) + "' is beyond the model's "
                            + modelClasses.size() + " classes");
                }
            }
            return out;
        }
        if (folders.size() == 1000 && modelClasses.size() == 1000
                && folders.stream().allMatch(f -> f.matches("n\\d{8}"))) {
            for (int i = 0; i < out.length; i++) {
                out[i] = i; // ImageNet's class index is the synset's position in sorted order
            }
            return out;
        }
        List<String> unknown = new ArrayList<>();
        for (int i = 0; i < out.length; i++) {
            String name = folders.get(i);
            List<Integer> exact = matches(modelClasses, name, false);
            List<Integer> found = exact.isEmpty() ? matches(modelClasses, name, true) : exact;
            if (found.size() > 1) {
                throw new IllegalArgumentException("class folder '" + name + "' clashes: the model has "
                        + found.size() + " classes of that name (indices " + found + "); rename the folder to the "
                        + "class index it holds");
            }
            if (found.isEmpty()) {
                unknown.add(name);
            } else {
                out[i] = found.getFirst();
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(unknown.size() + " class folder(s) match none of the model's "
                    + modelClasses.size() + " class names: " + (unknown.size() <= 5 ? unknown
                    : unknown.subList(0, 5) + " …") + " (the model's classes: " + (modelClasses.size() <= 10
                    ? modelClasses : modelClasses.subList(0, 10) + " …") + "; folders may also be class indices)");
        }
        return out;
    }

    private static List<Integer> matches(List<String> classes, String name, boolean ignoreCase) {
        List<Integer> out = new ArrayList<>();
        String key = ignoreCase ? name.toLowerCase(Locale.ROOT) : name;
        for (int c = 0; c < classes.size(); c++) {
            String n = ignoreCase ? classes.get(c).toLowerCase(Locale.ROOT) : classes.get(c);
            if (n.equals(key)) {
                out.add(c);
            }
        }
        return out;
    }
}

package dev.googlenet;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;

import java.util.Arrays;
import java.util.List;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The package layering of core (README "Architecture", shared DESIGN.md), one rule per line of the table, checked
 * on core's compiled main classes (tests excluded). "Imports" means any dependency ArchUnit sees in the byte
 * code: imports, field and parameter types, calls, inheritance, annotations. A package name stands for it and its
 * sub-packages ({@code io} is {@code dev.googlenet.io..}).
 *
 * <p>Every rule fails when its package has no classes (a misspelt or moved package cannot pass silently), and
 * {@link #everyClassIsInANamedLayer} fails when a class lives outside the table, so no new package escapes it.
 */
@AnalyzeClasses(packages = "dev.googlenet", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    /** The layers of the table, bottom up. */
    private static final List<String> LAYERS =
            List.of("tensor", "kernels", "nn", "model", "plan", "io", "onnx", "data", "train", "explain", "infer");

    @ArchTest
    static final ArchRule tensor_depends_on_nothing_of_ours = onlyOursFrom("tensor");

    @ArchTest
    static final ArchRule kernels_imports_nothing_of_ours_but_tensor = onlyOursFrom("kernels", "tensor");

    @ArchTest
    static final ArchRule nn_is_below_models_plans_files_and_training =
            never("nn", "model", "plan", "io", "onnx", "train", "infer", "data");

    @ArchTest
    static final ArchRule model_is_a_pure_definition =
            never("model", "kernels", "plan", "io", "onnx", "train", "infer", "data");

    @ArchTest
    static final ArchRule plan_knows_no_files_training_or_data =
            never("plan", "io", "onnx", "train", "data", "infer");

    @ArchTest
    static final ArchRule io_knows_no_plans_training_inference_or_onnx = never("io", "plan", "train", "infer", "onnx");

    @ArchTest
    static final ArchRule onnx_knows_no_training_or_inference = never("onnx", "train", "infer");

    @ArchTest
    static final ArchRule explain_knows_no_files_training_or_loading =
            never("explain", "io", "onnx", "data", "train", "infer");

    @ArchTest
    static final ArchRule data_knows_no_model_internals = never("data", "model", "nn", "plan", "train");

    /** The module graph already keeps cli out of core's class path; this says so over core's own classes. */
    @ArchTest
    static final ArchRule core_never_sees_cli = noClasses().that().resideInAPackage("dev.googlenet..")
            .should().dependOnClassesThat().resideInAPackage("dev.googlenet.cli..")
            .because("cli is a thin shell over core: parse, call, print");

    @ArchTest
    static final ArchRule everyClassIsInANamedLayer = classes().that().resideInAPackage("dev.googlenet..")
            .should().resideInAnyPackage(packages(LAYERS.toArray(String[]::new)))
            .because("a package outside the layer table would escape every rule above: add it to the table");

    /**
     * The rule builders are not vacuous: over the same classes they report dependencies that exist by design
     * (a model is built from nn layers), naming the classes on both ends.
     */
    @ArchTest
    static void theRuleBuildersReportRealDependencies(JavaClasses core) {
        EvaluationResult never = never("model", "nn").evaluate(core);
        assertTrue(never.hasViolation(), "model uses nn layers, so 'model never imports nn' must fail");
        assertTrue(mentionsBothEnds(never, "model", "nn"), never.getFailureReport().toString());

        EvaluationResult only = onlyOursFrom("model", "tensor").evaluate(core);
        assertTrue(only.hasViolation(), "model uses nn layers, so 'model imports only tensor' must fail");
        assertTrue(mentionsBothEnds(only, "model", "nn"), only.getFailureReport().toString());

        assertFalse(onlyOursFrom("model", "tensor", "kernels", "nn").evaluate(core).getFailureReport().getDetails()
                        .stream().anyMatch(d -> d.contains("<dev.googlenet.nn.")),
                "allowed packages are not reported");
    }

    /** Classes in {@code layer} depend on nothing in dev.googlenet except {@code layer} itself and {@code allowed}. */
    private static ArchRule onlyOursFrom(String layer, String... allowed) {
        String[] own = packages(concat(layer, allowed));
        DescribedPredicate<JavaClass> otherOfOurs =
                resideInAPackage("dev.googlenet..").and(not(resideInAnyPackage(own)));
        return noClasses().that().resideInAPackage(pkg(layer))
                .should().dependOnClassesThat(otherOfOurs.as("are in dev.googlenet outside " + Arrays.toString(own)))
                .because("it is the bottom of the layering (README, Architecture)");
    }

    /** Classes in {@code layer} depend on nothing in the {@code forbidden} packages. */
    private static ArchRule never(String layer, String... forbidden) {
        return noClasses().that().resideInAPackage(pkg(layer))
                .should().dependOnClassesThat().resideInAnyPackage(packages(forbidden))
                .because("data flows one way through the layers (README, Architecture)");
    }

    private static boolean mentionsBothEnds(EvaluationResult result, String from, String to) {
        return result.getFailureReport().getDetails().stream()
                .anyMatch(d -> d.contains("<dev.googlenet." + from + ".") && d.contains("<dev.googlenet." + to + "."));
    }

    private static String pkg(String name) {
        return "dev.googlenet." + name + "..";
    }

    private static String[] packages(String... names) {
        return Arrays.stream(names).map(ArchitectureTest::pkg).toArray(String[]::new);
    }

    private static String[] concat(String first, String... rest) {
        String[] all = new String[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }
}

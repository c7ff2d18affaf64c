package org.distillery.student.cli;

import org.distillery.student.data.CacheDirectory;
import org.distillery.student.demo.DemoOptions;
import org.distillery.student.demo.DemoPipeline;
import org.distillery.student.demo.MlmDemo;
import org.distillery.student.demo.MlmDemoPreset;
import org.distillery.student.mlm.TeacherLogits;
import org.distillery.student.demo.DemoPreset;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code demo}: the whole product on real data in one command; see {@link DemoPipeline}. */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = "An ensemble of teachers trained here and served by a separate process; students without "
                + "distillation and distilled from the ensemble (mean probabilities, and one sampled member), each "
                + "with several seeds; ONNX export, benchmark and report (report.html, report.json).")
public final class DemoCommand implements Callable<Integer> {
    @Option(names = "--quick", description = "Smaller models, fewer steps, one seed (under 3 minutes on 2 cores).")
    boolean quick;
    @Option(names = "--preset", description = "tiny, quick or default (overrides --quick).")
    String preset;
    @Option(names = "--scenario", description = "transfer: the students see the labels of --label-fraction of the "
            + "training examples, the distilled ones also the teachers' answers on all of them; full: every label "
            + "(default: ${DEFAULT-VALUE}).")
    DemoOptions.Scenario scenario = DemoOptions.Scenario.TRANSFER;
    @Option(names = "--label-fraction", description = "Share of training examples whose labels the students see in "
            + "the transfer scenario, in (0, 1] (default: ${DEFAULT-VALUE}).")
    double labelFraction = DemoOptions.DEFAULT_LABEL_FRACTION;
    @Option(names = "--seeds", description = "Seeds each student is trained with; figures are mean ± std over them "
            + "(default: 3, 1 with --quick).")
    Integer seeds;
    @Option(names = "--corpus", description = "spam-assassin or tiny, a built-in toy corpus with its own tokenizer "
            + "that needs no download (default: ${DEFAULT-VALUE}).")
    String corpus = "spam-assassin";
    @Option(names = "--out", description = "Output directory (default: ${DEFAULT-VALUE}; runs/demo-mlm with --task "
            + "mlm).")
    Path out = Path.of("runs/demo");
    @Option(names = "--cache-dir", description = "Cache for corpus, tokenizer, teachers and teacher outputs "
            + "(default: ~/.cache/distillery).")
    Path cacheDir;
    @Option(names = "--task", description = "classify (the classification demo above) or mlm (masked-LM "
            + "distillation, the DistilBERT recipe: teacher pretrained here and served, MLM-only and distilled "
            + "students, held-out masked-token accuracy, downstream fine-tune) (default: ${DEFAULT-VALUE}).")
    String task = "classify";
    @Option(names = "--teacher-logits", paramLabel = "topk:K|sample:K|topk:K+tail:S|dense",
            description = "With --task mlm: what "
            + "of the teacher's distribution travels per masked position (default: ${DEFAULT-VALUE}).")
    String teacherLogits = TeacherLogits.DEFAULT.toString();
    @Mixin
    CommonMixin common;

    @Override
    public Integer call() throws Exception {
        if (Task.parse(task) == Task.MLM) {
            MlmDemoPreset chosen = MlmDemoPreset.named(preset != null ? preset : quick ? "quick" : "default");
            if (seeds != null) {
                chosen = new MlmDemoPreset(chosen.name(), chosen.maxLength(), chosen.batchSize(),
                        chosen.teacherLayers(), chosen.hidden(), chosen.teacherSteps(), chosen.studentLayers(),
                        chosen.studentSteps(), seeds, chosen.heldOutMax(), chosen.downstreamEpochs(),
                        chosen.labelFraction());
            }
            new MlmDemo(chosen, TeacherLogits.parse(teacherLogits), corpus, out.equals(Path.of("runs/demo"))
                    ? Path.of("runs/demo-mlm") : out,
                    CacheDirectory.or(cacheDir), common.progress()).run();
            return 0;
        }
        DemoPreset chosen = DemoPreset.named(preset != null ? preset : quick ? "quick" : "default");
        DemoOptions options = new DemoOptions(chosen, corpus, scenario, labelFraction,
                seeds != null ? seeds : chosen.seeds());
        new DemoPipeline(options, out, CacheDirectory.or(cacheDir), common.progress()).run();
        return 0;
    }
}

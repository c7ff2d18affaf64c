package org.distillery.teacher.batching;

import org.distillery.teacher.runtime.ElementType;
import org.distillery.teacher.runtime.HostTensor;
import org.distillery.teacher.runtime.TensorSpec;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** Padding into a batch and cutting back out, for named and unnamed dynamic axes. */
class BatchAssemblerTest {
    private static InferenceJob job(long[] ids, int batch, int len) {
        return new InferenceJob(Map.of("ids", HostTensor.ofLongs(ids, batch, len)), Set.of("out"), batch, null, null);
    }

    @Test
    void padsUnnamedAxesWithThePadValueAndCutsOutputsBack() {
        TensorSpec ids = new TensorSpec("ids", ElementType.INT64, new long[]{-1, -1}, new String[]{"", ""});
        TensorSpec out = new TensorSpec("out", ElementType.FLOAT, new long[]{-1, -1, 2}, new String[]{"", "", ""});
        InferenceJob a = job(new long[]{1, 2, 3}, 1, 3);
        InferenceJob b = job(new long[]{4, 5, 6, 7, 8, 9, 10, 11, 12, 13}, 2, 5);
        BatchAssembler.Merged merged = BatchAssembler.merge(Map.of("ids", ids), List.of(a, b), Map.of("ids", 9L));
        HostTensor batch = merged.inputs().get("ids");
        assertArrayEquals(new long[]{3, 5}, batch.shape());
        assertArrayEquals(new long[]{1, 2, 3, 9, 9, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13}, batch.longs());

        // A fake run output [3, 5, 2] whose value encodes (row, position, channel).
        float[] values = new float[30];
        for (int i = 0; i < values.length; i++) {
            values[i] = i;
        }
        Map<String, HostTensor> outputs = Map.of("out", HostTensor.ofFloats(values, 3, 5, 2));
        HostTensor first = BatchAssembler.split(merged, 0, 0, 1, outputs, Map.of("out", out), List.of("out"))
                .get("out");
        assertArrayEquals(new long[]{1, 3, 2}, first.shape());
        assertArrayEquals(new float[]{0, 1, 2, 3, 4, 5}, first.floats());
        HostTensor second = BatchAssembler.split(merged, 1, 1, 2, outputs, Map.of("out", out), List.of("out"))
                .get("out");
        assertArrayEquals(new long[]{2, 5, 2}, second.shape());
        assertArrayEquals(java.util.Arrays.copyOfRange(values, 10, 30), second.floats());
    }

    @Test
    void namedOutputAxisIsCutOnlyWhenItSharesTheInputsName() {
        TensorSpec ids = new TensorSpec("ids", ElementType.INT64, new long[]{-1, -1}, new String[]{"batch", "seq"});
        TensorSpec pooled = new TensorSpec("out", ElementType.FLOAT, new long[]{-1, -1},
                new String[]{"batch", "labels"});
        InferenceJob a = job(new long[]{1, 2}, 1, 2);
        InferenceJob b = job(new long[]{3, 4, 5}, 1, 3);
        BatchAssembler.Merged merged = BatchAssembler.merge(Map.of("ids", ids), List.of(a, b), Map.of());
        // The output's second axis is "labels", not "seq", even though it happens to have the padded size 3.
        Map<String, HostTensor> outputs = Map.of("out", HostTensor.ofFloats(new float[]{1, 2, 3, 4, 5, 6}, 2, 3));
        HostTensor first = BatchAssembler.split(merged, 0, 0, 1, outputs, Map.of("out", pooled), List.of("out"))
                .get("out");
        assertArrayEquals(new long[]{1, 3}, first.shape());
        assertArrayEquals(new float[]{1, 2, 3}, first.floats());
    }

    @Test
    void unnamedAxesOfSeveralInputsStillCutOutputsBack() {
        // Two inputs padded alike (ids and mask, no dim names) and an output axis named only for itself, as
        // torch's exporter names them: the output follows the inputs since they agree on every job's length.
        TensorSpec ids = new TensorSpec("ids", ElementType.INT64, new long[]{-1, -1}, new String[]{"", ""});
        TensorSpec mask = new TensorSpec("mask", ElementType.INT64, new long[]{-1, -1}, new String[]{"", ""});
        TensorSpec out = new TensorSpec("out", ElementType.FLOAT, new long[]{-1, -1},
                new String[]{"out_dynamic_axes_1", "out_dynamic_axes_2"});
        InferenceJob a = new InferenceJob(Map.of("ids", HostTensor.ofLongs(new long[]{1, 2}, 1, 2),
                "mask", HostTensor.ofLongs(new long[]{1, 1}, 1, 2)), Set.of("out"), 1, null, null);
        InferenceJob b = new InferenceJob(Map.of("ids", HostTensor.ofLongs(new long[]{3, 4, 5, 6}, 1, 4),
                "mask", HostTensor.ofLongs(new long[]{1, 1, 1, 1}, 1, 4)), Set.of("out"), 1, null, null);
        BatchAssembler.Merged merged = BatchAssembler.merge(Map.of("ids", ids, "mask", mask), List.of(a, b),
                Map.of());
        assertArrayEquals(new long[]{1, 1, 0, 0, 1, 1, 1, 1}, merged.inputs().get("mask").longs());
        Map<String, HostTensor> outputs = Map.of("out", HostTensor.ofFloats(new float[]{1, 2, 3, 4, 5, 6, 7, 8},
                2, 4));
        HostTensor first = BatchAssembler.split(merged, 0, 0, 1, outputs, Map.of("out", out), List.of("out"))
                .get("out");
        assertArrayEquals(new long[]{1, 2}, first.shape());
        assertArrayEquals(new float[]{1, 2}, first.floats());
    }

    @Test
    void rowSelectorGathersPositionsFromTheBatchOutputAndCutsTheRestBack() {
        // out [batch, seq, seq2]: axis 1 is gathered, axis 2 (also the padded "seq") is cut to the job's length.
        TensorSpec ids = new TensorSpec("ids", ElementType.INT64, new long[]{-1, -1}, new String[]{"batch", "seq"});
        TensorSpec out = new TensorSpec("out", ElementType.FLOAT, new long[]{-1, -1, -1},
                new String[]{"batch", "seq", "seq"});
        InferenceJob a = job(new long[]{1, 2, 3, 4}, 1, 4);
        InferenceJob b = job(new long[]{5, 6, 7, 8}, 2, 2);
        BatchAssembler.Merged merged = BatchAssembler.merge(Map.of("ids", ids), List.of(a, b), Map.of());
        float[] values = new float[3 * 4 * 4];
        for (int i = 0; i < values.length; i++) {
            values[i] = i;
        }
        Map<String, HostTensor> outputs = Map.of("out", HostTensor.ofFloats(values, 3, 4, 4));
        // Job b (rows 1 and 2 of the run): example 1 at position 1, then example 0 at positions 0 and 1.
        RowSelector rows = new RowSelector(new int[]{1, 0, 0}, new int[]{1, 0, 1}, Set.of("out"));
        HostTensor got = BatchAssembler.split(merged, 1, 1, 2, outputs, Map.of("out", out), List.of("out"), rows)
                .get("out");
        assertArrayEquals(new long[]{3, 2}, got.shape());
        // run row 2, position 1 → 2*16 + 1*4 = 36; run row 1, positions 0 and 1 → 16, 20
        assertArrayEquals(new float[]{36, 37, 16, 17, 20, 21}, got.floats());
        // Alone in its run, the job's whole axes are kept.
        BatchAssembler.Merged alone = BatchAssembler.merge(Map.of("ids", ids), List.of(a), Map.of());
        Map<String, HostTensor> own = Map.of("out", HostTensor.ofFloats(java.util.Arrays.copyOf(values, 16), 1, 4, 4));
        HostTensor single = BatchAssembler.split(alone, 0, 0, 1, own, Map.of("out", out), List.of("out"),
                new RowSelector(new int[]{0}, new int[]{3}, Set.of("out"))).get("out");
        assertArrayEquals(new long[]{1, 4}, single.shape());
        assertArrayEquals(new float[]{12, 13, 14, 15}, single.floats());
        // An output the selector does not name is split whole.
        HostTensor whole = BatchAssembler.split(merged, 0, 0, 1, outputs, Map.of("out", out), List.of("out"),
                new RowSelector(new int[0], new int[0], Set.of("other"))).get("out");
        assertArrayEquals(new long[]{1, 4, 4}, whole.shape());
    }
}

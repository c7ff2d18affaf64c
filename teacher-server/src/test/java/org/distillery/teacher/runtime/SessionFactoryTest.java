package org.distillery.teacher.runtime;

import org.distillery.common.testing.TestTeachers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Device choice on a machine without CUDA: auto falls back to CPU, explicit cuda fails clearly. */
@Timeout(120)
class SessionFactoryTest {
    @TempDir
    Path dir;

    @Test
    void parsesDevices() {
        assertEquals(Device.CPU, Device.parse("cpu"));
        assertEquals(new Device(Device.Kind.CUDA, 3), Device.parse("cuda:3"));
        assertEquals(new Device(Device.Kind.CUDA, 0), Device.parse("CUDA"));
        assertEquals(Device.Kind.AUTO, Device.parse("auto").kind());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Device.parse("gpu0"));
        assertTrue(e.getMessage().contains("cpu, auto, cuda or cuda:N") && e.getMessage().contains("'gpu0'"));
        assertThrows(IllegalArgumentException.class, () -> Device.parse("cuda:-1"));
    }

    @Test
    void autoFallsBackToCpuAndExplicitCudaFailsWithAClearMessage() throws Exception {
        Path model = TestTeachers.mlp(dir.resolve("m.onnx"), 4, 4, 2, 1);
        SessionFactory auto = new SessionFactory(Device.parse("auto"), 1);
        try (OnnxModel loaded = OnnxModel.load("m", model, auto)) {
            assertEquals(2, loaded.outputs().size());
        }
        assumeTrue(auto.device().kind() != Device.Kind.CUDA,
                "CUDA loads on this machine: auto runs on it, so there is no fallback and cuda:0 does not fail");
        assertEquals(Device.CPU, auto.device());
        SessionFactory cuda = new SessionFactory(Device.parse("cuda:0"), 1);
        SessionFactory.DeviceUnavailableException e = assertThrows(SessionFactory.DeviceUnavailableException.class,
                () -> OnnxModel.load("m", model, cuda));
        assertTrue(e.getMessage().startsWith("cuda:0 cannot be used"), e.getMessage());
        assertTrue(e.getMessage().contains("--device cpu"), e.getMessage());
    }
}

package org.distillery.teacher.runtime;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import java.nio.file.Path;
import java.util.logging.Logger;

/**
 * Creates ONNX Runtime sessions for one device choice. {@code auto} tries the CUDA execution provider once and
 * falls back to CPU with one log line; an explicit {@code cuda:N} that cannot load fails with a clear message.
 */
public final class SessionFactory {
    private static final Logger LOG = Logger.getLogger(SessionFactory.class.getName());

    private final Device requested;
    private final int intraOpThreads;
    private final boolean cpuArena;
    private Device resolved;

    /** Sessions without ONNX Runtime's CPU arena (see {@link #SessionFactory(Device, int, boolean)}). */
    public SessionFactory(Device requested, int intraOpThreads) {
        this(requested, intraOpThreads, false);
    }

    /**
     * @param intraOpThreads threads per ONNX Runtime run; 0 lets ONNX Runtime choose
     * @param cpuArena       keep ONNX Runtime's CPU memory arena and memory patterns. Off by default: the arena
     *                       grows to the largest run ever seen and never gives memory back (one long request left
     *                       17 GB resident), while without it every run's memory is freed when the run ends
     */
    public SessionFactory(Device requested, int intraOpThreads, boolean cpuArena) {
        if (intraOpThreads < 0) {
            throw new IllegalArgumentException("intra-op threads must be >= 0, got " + intraOpThreads);
        }
        this.requested = requested;
        this.intraOpThreads = intraOpThreads;
        this.cpuArena = cpuArena;
    }

    /** The device sessions actually run on, once the first session was made. */
    public synchronized Device device() {
        return resolved == null ? requested : resolved;
    }

    /**
     * Opens a session on the model file.
     *
     * @throws DeviceUnavailableException when {@code cuda:N} was asked for and cannot be used
     * @throws OrtException               when ONNX Runtime rejects the model
     */
    public synchronized OrtSession open(Path model) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Device device = resolved == null ? requested : resolved;
        try (OrtSession.SessionOptions options = options(device)) {
            OrtSession session = env.createSession(model.toString(), options);
            resolved = device;
            return session;
        } catch (DeviceUnavailableException e) {
            if (device.kind() != Device.Kind.AUTO) {
                throw new DeviceUnavailableException(e.getMessage() + " (the ONNX Runtime GPU build needs CUDA 12"
                        + " and cuDNN 9 libraries on the library path; use --device cpu or --device auto)", e);
            }
            LOG.warning("--device auto: " + e.getMessage() + "; running on CPU");
            resolved = Device.CPU;
            try (OrtSession.SessionOptions options = options(Device.CPU)) {
                return env.createSession(model.toString(), options);
            }
        }
    }

    private OrtSession.SessionOptions options(Device device) throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        try {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            if (intraOpThreads > 0) {
                options.setIntraOpNumThreads(intraOpThreads);
            }
            options.setInterOpNumThreads(1);
            options.setCPUArenaAllocator(cpuArena);
            options.setMemoryPatternOptimization(cpuArena);
            // A server shares its cores with gRPC and response threads; spinning ONNX Runtime workers would
            // take CPU from them between runs (measured: 64 single-example clients lost ~10% with spinning on).
            options.addConfigEntry("session.intra_op.allow_spinning", "0");
            if (device.kind() != Device.Kind.CPU) {
                try {
                    options.addCUDA(device.cudaId());
                } catch (OrtException | UnsatisfiedLinkError | IllegalArgumentException e) {
                    throw new DeviceUnavailableException("cuda:" + device.cudaId() + " cannot be used: "
                            + firstLine(e.getMessage()), e);
                }
            }
            return options;
        } catch (RuntimeException | OrtException e) {
            options.close();
            throw e;
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "no message";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    /** The requested CUDA device cannot be used. */
    public static final class DeviceUnavailableException extends RuntimeException {
        public DeviceUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}

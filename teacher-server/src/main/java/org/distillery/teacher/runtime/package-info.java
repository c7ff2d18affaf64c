/** ONNX Runtime: sessions on a device, graph specs, and host tensors fed to and read from runs. */
package org.distillery.teacher.runtime;

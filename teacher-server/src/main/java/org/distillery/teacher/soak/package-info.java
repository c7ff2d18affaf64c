/**
 * {@code teacher-server soak}: a teacher server process driven for a while by many clients with good, bad,
 * cancelled, late, oversize and abandoned calls; every status is checked against the contract, every good answer
 * against in-process ONNX Runtime, and the server's memory against its level after warm-up.
 */
package org.distillery.teacher.soak;

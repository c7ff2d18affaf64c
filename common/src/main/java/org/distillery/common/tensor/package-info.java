/** Tensor codecs for the wire format: fp32/fp16/bf16/int64/int32 encoding, half-float conversions and top-k. */
package org.distillery.common.tensor;

/** Failures with gRPC status codes, and the one mapping from failures to statuses. */
package org.distillery.common.errors;

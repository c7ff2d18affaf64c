/**
 * Transport security and access control of the teacher server: TLS and mTLS credentials from PEM files, and the
 * bearer-token check. The token guards the teacher service and reflection; {@code grpc.health.v1.Health} stays open
 * so probes need no token.
 */
package org.distillery.teacher.security;

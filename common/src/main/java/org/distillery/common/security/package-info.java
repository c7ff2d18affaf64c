/**
 * What the teacher server and its clients share for TLS and bearer tokens: checks of PEM files that give one clear
 * line (missing, unreadable, not a certificate, a PKCS#1 key where PKCS#8 is needed), reading a token file, and the
 * call credentials that send {@code authorization: Bearer <token>}. Tokens are never logged nor put in messages.
 */
package org.distillery.common.security;

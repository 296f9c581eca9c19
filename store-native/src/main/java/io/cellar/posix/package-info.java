/**
 * Every native call the project makes, bound once through the Foreign Function &amp; Memory API:
 * one way to bind a libc symbol with errno capture, one {@code Errno}, and the calls themselves.
 */
package io.cellar.posix;

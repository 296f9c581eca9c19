/**
 * Unsigned 64-bit object ids, signatures and instance ids, their text forms and their generator.
 */
package io.cellar.core.id;

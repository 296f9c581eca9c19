/** Helpers for the JSON the protocol uses: unsigned 64-bit numbers in Jackson trees. */
package io.cellar.core.json;

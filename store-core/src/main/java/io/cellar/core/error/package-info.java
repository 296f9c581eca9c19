/** The protocol status codes and the one exception family that carries them. */
package io.cellar.core.error;

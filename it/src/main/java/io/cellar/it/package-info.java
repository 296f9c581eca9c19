/** Cross-process tests. Not built yet. */
package io.cellar.it;

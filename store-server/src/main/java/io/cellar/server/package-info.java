/** The vineyardd-compatible daemon. Not built yet: arrives with the server issue. */
package io.cellar.server;

/** The pure-Java Vineyard client. Not built yet: arrives with the server issue. */
package io.cellar.client;

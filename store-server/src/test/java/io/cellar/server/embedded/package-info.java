/** Tests of the server embedded in a JVM that also uses the store directly. */
package io.cellar.server.embedded;

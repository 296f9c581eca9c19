/** The vineyard.csi path API: objects named by file paths under a CSI volume holding the socket. */
package io.cellar.client.csi;

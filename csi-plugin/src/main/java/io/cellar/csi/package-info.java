/** The Kubernetes CSI driver. Not built yet: arrives with the CSI issue. */
package io.cellar.csi;

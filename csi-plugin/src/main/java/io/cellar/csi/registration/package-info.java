/**
 * The kubelet's plugin registration, built in (what node-driver-registrar does): {@link
 * io.cellar.csi.registration.KubeletRegistration} serves {@code pluginregistration.Registration} on
 * {@code <kubelet root>/plugins_registry/<driver>-reg.sock}, telling the kubelet's plugin watcher
 * the driver's name and CSI endpoint.
 */
package io.cellar.csi.registration;

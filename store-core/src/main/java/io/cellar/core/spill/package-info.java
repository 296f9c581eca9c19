/**
 * Spilling cold blobs to disk: the spill file layout ({@link
 * io.cellar.core.spill.SpillFileDescriptor}), the directory of spill files ({@link
 * io.cellar.core.spill.SpillDirectory}, which is the store's {@link
 * io.cellar.core.spill.SpillFiles}) and the order victims are chosen in ({@link
 * io.cellar.core.spill.ColdBlobLru}).
 */
package io.cellar.core.spill;

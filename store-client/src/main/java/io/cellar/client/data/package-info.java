/** Java values in the Python client's object layouts: byte blobs, tensors, data frames. */
package io.cellar.client.data;

/** Fixtures shared by the tests of every module: processes, daemons, peers. Test scope only. */
package io.cellar.testing;

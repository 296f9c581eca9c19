/**
 * Authentication of clients at {@code register_request} against an htpasswd file ({@code
 * --htpasswd}), as the reference checks them with {@code htpasswd -v}.
 */
package io.cellar.server.auth;

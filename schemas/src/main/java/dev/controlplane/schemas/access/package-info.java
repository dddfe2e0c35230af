/** Who may call what: the scopes of the API and the rule of every route. */
package dev.controlplane.schemas.access;

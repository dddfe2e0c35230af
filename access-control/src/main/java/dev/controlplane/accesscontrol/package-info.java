/** Who the caller is and what it may do: one place every HTTP service uses. */
package dev.controlplane.accesscontrol;

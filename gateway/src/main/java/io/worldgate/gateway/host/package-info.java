/** The OSGi plugin host: embedded Felix, the deploy directory, and tracking of agent factories. */
package io.worldgate.gateway.host;

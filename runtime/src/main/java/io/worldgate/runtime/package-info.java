/**
 * DJL building blocks shared by every agent plugin. Exported to bundles through the system
 * bundle; plugins never embed these classes.
 */
@Export
@Version("1.0.0")
package io.worldgate.runtime;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;

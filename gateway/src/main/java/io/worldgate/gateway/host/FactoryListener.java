package io.worldgate.gateway.host;

/**
 * Told when agent factories come and go. Callbacks run on the thread that changes the service
 * (FileInstall's, SCR's) and may block: {@link #factoryRemoving} returns only once the listener
 * no longer uses the factory, which is how a run checkpoints its agent before its bundle stops.
 */
public interface FactoryListener {

    /** A factory was registered. */
    void factoryAdded(FactoryHandle handle);

    /** A factory is being unregistered; stop using it and every object it created before returning. */
    void factoryRemoving(FactoryHandle handle);
}

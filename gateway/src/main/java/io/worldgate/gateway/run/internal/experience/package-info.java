/**
 * The disk-backed experience store of a run ({@link io.worldgate.gateway.run.internal.experience.DiskExperience}).
 * Its parts: {@code ChunkFolder} (the files), {@code ChunkFormat} and {@code StepLayout} (what
 * a chunk holds), {@code MappedChunks} (the mappings), {@code EnvStream} and {@code ChunkQueue}
 * (which chunks hold which steps), {@code EpisodeIndex} (where episodes begin and end),
 * {@code UniformSteps} and {@code RecentSteps} (the selectors) and {@code StepReader} (copies
 * and views of stored steps).
 *
 * <h2>On disk</h2>
 *
 * A run's {@code runs/<id>/experience/} folder holds:
 * <ul>
 *   <li>{@code layout.txt}: {@code worldgate-experience 1}, then one line per step column,
 *       {@code name=DTYPE[shape]}: {@code tick=INT64[]} (the append call that wrote the step),
 *       {@code episode=INT64[]}, {@code reward=FLOAT32[]}, {@code flags=UINT8[]},
 *       {@code action=...}, and {@code obs.<name>=...} per observation, sorted by name. A store
 *       opened with an environment of other observations or actions is refused.</li>
 *   <li>{@code <seq:12 digits>-env<env:4 digits>.chunk}: consecutive steps of one environment
 *       (a 128-byte header, then each column for all the chunk's steps, 64-byte aligned; see
 *       {@link io.worldgate.gateway.run.internal.experience.ChunkFormat}). A chunk is written
 *       to {@code <name>.part} and renamed into place, so a complete {@code .chunk} is never
 *       half-overwritten; a leftover {@code .part} is deleted on open.</li>
 *   <li>{@code <name>.chunk.torn}: a chunk that failed its checks on open (short file, bad header
 *       or data checksum), kept for inspection and ignored.</li>
 *   <li>{@code lock}: locked while a store has the folder open.</li>
 * </ul>
 *
 * <p>Flags per step: bit 0 first step of an episode, bit 1 terminal, bit 2 last (terminated or
 * truncated), bit 3 the first step is only the start of a fragment (the store was reopened
 * before this episode's reset). Data is in the writer's native byte order (recorded in the
 * header). Step {@code t} holds {@code o_t}, {@code r_t}, the flags and {@code a_t}, as
 * {@link io.worldgate.api.experience.Experience} describes; steps of one environment are
 * numbered from 0 ("stream position") across all its chunks.
 *
 * <h2>What a crash loses</h2>
 *
 * Each environment's newest steps wait in an off-heap staging chunk until it is full; a crash
 * loses those (at most one chunk per environment) and, if it hits during a write, that one chunk
 * (its {@code .part} file). {@code flush()} writes the staging chunks too and forces all files
 * and the folder to the device; without it, written chunks survive a process crash (they are in
 * the page cache) but not necessarily a power cut.
 */
package io.worldgate.gateway.run.internal.experience;

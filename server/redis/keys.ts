// Every Redis key and channel name, in one place. A task's keys share the hash tag
// {task:ID}, so in Redis Cluster they live in one slot and one Lua script may touch them all.

export interface RedisKeys {
  taskMeta(taskId: string): string;
  taskLog(taskId: string): string;
  taskText(taskId: string): string;
  taskChannel(taskId: string): string;
  /** Announces each new task of a (project, stage): the stageProgress subscription follows it. */
  stageChannel(projectId: string, stage: string): string;
  /** Control messages to every worker (cancel). */
  controlChannel(): string;
  /** Sessions that ended (signOut): every API instance ends their open subscriptions. */
  sessionChannel(): string;
  /** A running task's speed and estimate, as of its last progress event (Task.tokensPerSecond, Task.etaSeconds). */
  taskRate(taskId: string): string;
  /** Recent runs of a stage (lengths, speeds, durations): what estimates are made from. */
  stageHistory(name: string): string;
  /** BullMQ's key prefix; hash-tagged so a queue's keys share a slot, as BullMQ requires in Cluster. */
  queuePrefix(): string;
}

export function createRedisKeys(prefix: string): RedisKeys {
  return {
    taskMeta: (id) => `${prefix}{task:${id}}:meta`,
    taskLog: (id) => `${prefix}{task:${id}}:log`,
    taskText: (id) => `${prefix}{task:${id}}:text`,
    taskChannel: (id) => `${prefix}{task:${id}}:events`,
    stageChannel: (projectId, stage) => `${prefix}{project:${projectId}}:stage:${stage}`,
    controlChannel: () => `${prefix}control`,
    sessionChannel: () => `${prefix}sessions`,
    taskRate: (id) => `${prefix}{task:${id}}:rate`,
    stageHistory: (name) => `${prefix}history:${name}`,
    queuePrefix: () => `{${prefix}bull}`,
  };
}

// Messages to every worker process, over one pub/sub channel: a cancel reaches them all,
// and the one holding the task's job aborts it (BullMQ aborts a job only on its own worker).
export interface ControlMessage {
  type: 'cancel';
  taskId: string;
}

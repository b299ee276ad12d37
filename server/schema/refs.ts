// The object types that several domain files point at, declared once here and implemented
// in their own files (project.ts, task.ts, events.ts), so those files never import each other.
import type { ProjectRow, TaskRow } from '../db/entities.ts';
import type { DeliveredEvent } from '../events/types.ts';
import { builder } from './builder.ts';

export const ProjectRef = builder.objectRef<ProjectRow>('Project');
export const TaskRef = builder.objectRef<TaskRow>('Task');
export const StageEventRef = builder.interfaceRef<DeliveredEvent>('StageEvent');

import type { Client } from '@urql/core';
import type { FollowerApi, ProjectSnapshot } from '../stream/project-follower.ts';
import { PollProjectQuery, ProjectPageQuery, StageProgressSubscription, TaskEventsQuery } from './documents.ts';
import type { StageOutput } from './types.ts';

/** The project follower's API, over an urql client (HTTP for queries, the connection's transport for subscriptions). */
export function createFollowerApi(client: Client): FollowerApi<StageOutput> {
  return {
    async fetchProject(projectId) {
      const result = await client.query(ProjectPageQuery, { id: projectId }, { requestPolicy: 'network-only' }).toPromise();
      if (result.error) throw result.error;
      const project = result.data?.project;
      if (!project) return null;
      const snapshot: ProjectSnapshot<StageOutput> = {
        id: project.id,
        name: project.name,
        originalTopic: project.originalTopic,
        originalText: project.originalText,
        createdAt: project.createdAt,
        stages: project.stages.map((s) => ({
          name: s.name,
          status: s.status,
          output: s.output,
          error: s.error,
          latestTask: s.latestTask,
        })),
      };
      return snapshot;
    },

    async pollProject(projectId) {
      const result = await client.query(PollProjectQuery, { id: projectId }, { requestPolicy: 'network-only' }).toPromise();
      if (result.error) throw result.error;
      return result.data?.project?.stages ?? null;
    },

    async fetchEvents(taskId, after, first) {
      const result = await client
        .query(TaskEventsQuery, { taskId, after, first }, { requestPolicy: 'network-only' })
        .toPromise();
      if (result.error) throw result.error;
      return result.data?.task?.events ?? null;
    },

    subscribeStage({ projectId, stage, after }, sink) {
      let ended = false;
      const subscription = client
        .subscription(
          StageProgressSubscription,
          // No cursor: leave `after` out (the contract's "omitted" case), rather than null.
          after === undefined ? { projectId, stage } : { projectId, stage, after },
          {
            onStreamEnd: () => {
              if (!ended) sink.end();
              ended = true;
            },
          },
        )
        .subscribe((result) => {
          if (ended) return;
          if (result.error) {
            ended = true;
            return sink.error(result.error);
          }
          const event = result.data?.stageProgress;
          if (event) sink.next(event);
        });
      return () => {
        ended = true;
        subscription.unsubscribe();
      };
    },
  };
}

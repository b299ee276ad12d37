// Builds the GraphQL schema from the domain files. Import order does not matter.
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { builder } from './builder.ts';
import './scalars.ts';
import './stage.ts';
import './user.ts';
import './output.ts';
import './project.ts';
import './task.ts';
import './events.ts';
import './provider.ts';
import './share.ts';
import './project-eta.ts';
import './version.ts';

let schema: GraphQLSchema | undefined;

export function buildSchema(): GraphQLSchema {
  schema ??= builder.toSchema({ sortSchema: true });
  return schema;
}

/** The schema as committed in schema.graphql. */
export function printSortedSchema(): string {
  return `${printSchema(lexicographicSortSchema(buildSchema()))}\n`;
}

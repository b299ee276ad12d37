/**
 * Operations of watching a run: the whole run's ETA, share links, and the project a share
 * link opens. Kept apart from documents.ts; `npm run codegen` types them alike.
 */
import { graphql } from '../../gql/index.ts';

export const ProjectEtaQuery = graphql(`
  query ProjectEta($id: ID!) {
    project(id: $id) {
      id
      etaSeconds
    }
  }
`);

export const ShareLinksQuery = graphql(`
  query ShareLinks($id: ID!) {
    project(id: $id) {
      id
      shareLinks {
        id
        url
        createdAt
      }
    }
  }
`);

export const CreateShareLinkMutation = graphql(`
  mutation CreateShareLink($projectId: ID!) {
    createShareLink(projectId: $projectId) {
      id
      url
      createdAt
    }
  }
`);

export const RevokeShareLinkMutation = graphql(`
  mutation RevokeShareLink($id: ID!) {
    revokeShareLink(id: $id)
  }
`);

export const SharedProjectQuery = graphql(`
  query SharedProject {
    sharedProject {
      id
      name
    }
  }
`);

/**
 * The catalogue's vocabulary for people: the use cases the portal's start page offers and the PRD's
 * personas. Recipes name these ids (`catalog.use-cases`, `catalog.personas`); the portal and the feeds
 * show the titles. One table, so no page hard-codes a product or a persona.
 */
export const useCases = {
  base: { title: 'Plain base image', summary: 'The smallest Debian cloud image: cloud-init, SSH and apt, nothing else.' },
  'web-application': { title: 'Web application', summary: 'A language stack with its frameworks, ready to serve an app.' },
  containers: { title: 'Containers', summary: 'Run containers: Docker Engine, Podman and containerd, or OCI base images.' },
  'data-science': { title: 'Data science', summary: 'R, Octave, the Python data stack, Jupyter and a JVM.' },
  hpc: { title: 'HPC', summary: 'MPI and Slurm, to overflow a batch cluster into the cloud.' },
  paas: { title: 'PaaS', summary: 'Nodes that form a container platform from cloud-init user-data alone.' },
  server: { title: 'Server', summary: 'Turn a cloud instance into a long-lived server managed with Cockpit.' },
} as const;
export type UseCase = keyof typeof useCases;
export const USE_CASE_IDS = Object.keys(useCases) as [UseCase, ...UseCase[]];

export const personas = {
  'aws-enthusiast': 'AWS enthusiast / early adopter',
  devops: 'DevOps team member',
  'web-developer': 'Web developer',
  sysadmin: 'Large-environment sysadmin',
  'data-scientist': 'Data scientist',
  'hpc-scientist': 'HPC scientist',
  'release-engineer': 'Release engineer',
} as const;
export type Persona = keyof typeof personas;
export const PERSONA_IDS = Object.keys(personas) as [Persona, ...Persona[]];

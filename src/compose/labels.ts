// What Compose records on the containers it creates, read back so a project
// group in the Containers view can be brought up/down without finding its files.

export const COMPOSE_LABELS = {
  project: 'com.docker.compose.project',
  service: 'com.docker.compose.service',
  configFiles: 'com.docker.compose.project.config_files',
  workingDir: 'com.docker.compose.project.working_dir',
} as const;

interface Labelled {
  Labels: Record<string, string> | null;
}

/** The project's files and folder as compose recorded them on its containers. */
export function projectFromLabels(project: string, containers: readonly Labelled[]): { files: string[]; workingDir?: string } {
  const c = containers.find((x) => x.Labels?.[COMPOSE_LABELS.project] === project && x.Labels?.[COMPOSE_LABELS.configFiles]);
  const files = c?.Labels?.[COMPOSE_LABELS.configFiles]?.split(',').filter(Boolean) ?? [];
  return { files, workingDir: c?.Labels?.[COMPOSE_LABELS.workingDir] || undefined };
}

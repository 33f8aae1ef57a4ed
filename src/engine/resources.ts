// The fields of the engine's resource lists (`GET /containers/json?all=1`,
// `/images/json`, `/volumes`, `/networks`) that Slipway uses; dockerode's types fit.

/** The fields of the engine's container summary that we use (dockerode's ContainerInfo fits). */
export interface ContainerSummary {
  Id: string;
  Names: string[];
  Image: string;
  ImageID?: string;
  Command?: string;
  Created: number;
  State: string;
  Status: string;
  Ports: { IP?: string; PrivatePort: number; PublicPort?: number; Type: string }[];
  Labels: Record<string, string> | null;
  Mounts?: { Type?: string; Name?: string; Source?: string; Destination: string; RW?: boolean }[];
}

export interface ImageSummary {
  Id: string;
  RepoTags?: string[] | null;
  RepoDigests?: string[] | null;
  Created: number;
  Size: number;
  Containers?: number;
  Labels?: Record<string, string> | null;
}

export interface VolumeSummary {
  Name: string;
  Driver: string;
  Mountpoint: string;
  CreatedAt?: string;
  Labels?: Record<string, string> | null;
  Scope?: string;
}

export interface NetworkSummary {
  Id: string;
  Name: string;
  Driver: string;
  Scope: string;
  Internal?: boolean;
  IPAM?: { Config?: { Subnet?: string }[] | null } | null;
  Labels?: Record<string, string> | null;
}

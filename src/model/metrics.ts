/**
 * Metrics as data: families of samples, as the Prometheus text format
 * (0.0.4) lays them out. Values are numbers or bigints (64-bit limits pass
 * 2^53 and are printed exactly).
 */

type MetricType = 'gauge' | 'counter';

export interface Sample {
  labels: Record<string, string>;
  value: number | bigint;
}

export interface MetricFamily {
  /** shmctl_..., with its unit as a suffix (_bytes, _seconds). */
  name: string;
  help: string;
  type: MetricType;
  samples: Sample[];
}

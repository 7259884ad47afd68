import type { Report } from '@posture/protocol';
export interface SampleOptions {
    agentId: string;
    unit: string;
    hostname?: string;
    protected?: boolean;
    systems?: string[];
    role?: 'server' | 'workstation';
    collectedAt?: Date;
}
export declare function sampleReport(o: SampleOptions): Report;

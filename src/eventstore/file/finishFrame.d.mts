export declare const HEADER_BYTES: 68;
export declare const RECORD_HEADER_BYTES: 8;
export declare function frameHash(prevHash: Buffer | Uint8Array, b: Buffer, start: number, end: number): Buffer;
export declare function finishFrame(b: Buffer, frameBytes: number, prevHash: Buffer | Uint8Array): Buffer;

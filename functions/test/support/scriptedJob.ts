// The scripted job lives in dev/ because the benchmark uses it too.
export * from '../../dev/scriptedJob';

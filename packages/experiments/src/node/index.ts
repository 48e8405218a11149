export { loadOrTrainTeacher, teacherStore, teacherStoreKey } from './teacher-store.js';

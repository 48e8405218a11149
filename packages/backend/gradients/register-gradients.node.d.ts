// Registers every tfjs-core gradient (a side effect); see register-gradients.node.js.
export {};

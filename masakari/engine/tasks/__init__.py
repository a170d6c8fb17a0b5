"""Recovery tasks: one small taskflow Task per step of a workflow.

Every task is registered under the ``masakari.task_flow.tasks`` entry point
namespace, which is how ``[taskflow_driver_recovery_flows]`` names them.
"""

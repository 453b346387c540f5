from .face_inference import (BoxFileError, CheckpointMismatchError,
                             HaarFaceDetector, OverlayDrawer,
                             check_state_dict_fits, clip_boxes, faces_to_json,
                             load_face_model, lookup_boxes, predict_faces,
                             read_box_file, whole_image_box)

__all__ = [
    'BoxFileError', 'CheckpointMismatchError', 'HaarFaceDetector',
    'OverlayDrawer', 'check_state_dict_fits', 'clip_boxes', 'faces_to_json',
    'load_face_model', 'lookup_boxes', 'predict_faces', 'read_box_file',
    'whole_image_box'
]

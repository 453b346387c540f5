from .face_landmark_metric import FaceLandmarkMetric

__all__ = ['FaceLandmarkMetric']
